//! The customer's pole display on a pseudo-terminal pair: the bytes the
//! till sends, decoded into what the customer reads.

use pos_tests::virtual_display::VirtualDisplay;
use pos_tests::{Store, as_cashier, as_manager, cli, cli_ok as ok};

#[test]
fn the_display_test_and_each_sales_change_read_right() {
    let store = Store::open();
    let dir = store.path();
    let display = VirtualDisplay::start();
    ok(dir, &["display", "test", "--display", &display.address()]);
    let shown = display.after(1);
    assert_eq!(shown, ("DISPLAY TEST é€ àç".to_string(), "0123456789ABCDEFGHIJ".to_string()));
    let none = cli(dir, &["display", "test"]);
    assert!(String::from_utf8_lossy(&none.stderr).contains("no customer display is set up"));

    ok(dir, &as_manager(&["config", "set", "display", &display.address()]));
    ok(dir, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:20"]));
    assert_eq!(display.after(2), ("PAID           20.00".to_string(), "CHANGE         15.13".to_string()));
    let bad = cli(dir, &as_manager(&["config", "set", "display", "tcp://pole:1"]));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("a pole display is on a serial line"));

    // Unplugged: the sale goes through and says so.
    drop(display);
    let sold = cli(dir, &as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    assert!(sold.status.success(), "a display never stops a sale");
    let said = String::from_utf8_lossy(&sold.stderr);
    assert!(said.contains("warning: the customer display"), "{said}");
}
