//! Shop scales on a pseudo-terminal pair answering both protocols: a
//! stable weight after the pan settles, and everything that is not a
//! weight to sell said plainly, through the core and the real binary.

use pos_shared::device_address::ScaleAddress;
use pos_shared::quantity::Quantity;
use pos_shared::scale::ScaleProtocol;
use pos_terminal::devices::scale::read_weight;
use pos_tests::virtual_scale::{Pan, VirtualScale};
use pos_tests::{Store, as_cashier, as_manager, cli, cli_ok as ok, cli_refused as refused};

const PROTOCOLS: [ScaleProtocol; 2] = [ScaleProtocol::Toledo8217, ScaleProtocol::CasPd2];

fn weigh(scale: &VirtualScale) -> Result<Quantity, String> {
    let address: ScaleAddress = scale.address().parse().unwrap();
    read_weight(&address).map_err(|e| e.to_string())
}

#[test]
fn each_protocol_gives_the_stable_weight_once_the_pan_settles() {
    for protocol in PROTOCOLS {
        let scale = VirtualScale::start(protocol, &[Pan::Moving, Pan::Moving, Pan::Stable("1.234")]);
        assert_eq!(weigh(&scale), Ok(Quantity::from_milli(1234)), "{protocol}");
        assert_eq!(scale.asked(), 3, "{protocol}: asked again while it moved");
    }
}

#[test]
fn what_is_not_a_weight_to_sell_is_said_plainly() {
    for protocol in PROTOCOLS {
        for (pan, says) in [
            (Pan::Overload, "too heavy for the scale"),
            (Pan::UnderZero, "below zero"),
            (Pan::Stable("0.000"), "nothing on the scale"),
            (Pan::Silent, "does not answer"),
            (Pan::Moving, "still moving"),
        ] {
            let scale = VirtualScale::start(protocol, &[pan]);
            let said = weigh(&scale).unwrap_err();
            assert!(said.contains(says), "{protocol} {pan:?}: {said}");
        }
    }
    let gone: ScaleAddress = "serial:///dev/no-such-scale?protocol=cas".parse().unwrap();
    assert!(read_weight(&gone).unwrap_err().to_string().contains("does not answer"));
}

#[test]
fn a_weighed_item_is_sold_at_the_scales_weight_through_the_binary() {
    let store = Store::open();
    let dir = store.path();
    let scale = VirtualScale::start(ScaleProtocol::CasPd2, &[Pan::Moving, Pan::Stable("0.750")]);
    assert_eq!(ok(dir, &["scale", "test", "--scale", &scale.address()]), "0.750 kg\n");
    ok(dir, &as_manager(&["config", "set", "scale", &scale.address()]));
    assert_eq!(ok(dir, &["scale", "test"]), "0.750 kg\n");
    let sold = ok(dir, &as_cashier(&["sell", "--item", "FRU0049", "--weigh", "--pay", "cash:50"]));
    assert!(sold.contains("0.75 kg x"), "the scale's weight on the receipt: {sold}");
    let unweighed = refused(dir, &as_cashier(&["sell", "--item", "FRU0049", "--pay", "cash:50"]));
    assert!(unweighed.contains("sold by weight"), "{unweighed}");
    let typed = refused(dir, &as_cashier(&["sell", "--item", "FRU0049*0.500", "--pay", "cash:50"]));
    assert!(
        typed.contains("type a weight instead of the scale's"),
        "with a scale, a typed weight is a manager's: {typed}"
    );
    let approved = [
        &["sell", "--item", "FRU0049*0.500", "--pay", "cash:50"][..],
        &["--manager", pos_tests::MANAGER_NAME, "--manager-pin", pos_tests::MANAGER_PIN],
    ]
    .concat();
    assert!(ok(dir, &as_cashier(&approved)).contains("0.5 kg x"));
    assert!(
        ok(dir, &as_cashier(&["sell", "--item", "BAK0001*2", "--pay", "cash:50"])).contains("2 x 4.87"),
        "pieces need no manager"
    );

    let still = VirtualScale::start(ScaleProtocol::Toledo8217, &[Pan::Moving]);
    ok(dir, &as_manager(&["config", "set", "scale", &still.address()]));
    let before = ok(dir, &["journal", "verify"]);
    let moving = refused(dir, &as_cashier(&["sell", "--item", "FRU0049", "--weigh", "--pay", "cash:50"]));
    assert!(moving.contains("still moving"), "{moving}");
    assert_eq!(ok(dir, &["journal", "verify"]), before, "nothing is sold while the pan moves");
    let bad = cli(dir, &as_manager(&["config", "set", "scale", "serial:///dev/ttyUSB1?protocol=dibal"]));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("protocol “dibal” must be 8217 or cas"));
}
