//! Shelf-edge labels through the binary: chosen by code or due after a
//! price change, to a ZPL printer on a loopback port (decoded into
//! transcripts) and to the ESC/POS receipt printer.

use pos_tests::virtual_label_printer::VirtualLabelPrinter;
use pos_tests::virtual_printer::VirtualPrinter;
use pos_tests::{Store, as_cashier, as_manager, cli, cli_ok as ok};

#[test]
fn labels_for_products_named_and_for_prices_that_changed() {
    let store = Store::open();
    let dir = store.path();
    let zpl = VirtualLabelPrinter::start();
    let said =
        String::from_utf8_lossy(&cli(dir, &as_manager(&["labels", "print", "--item", "BAK0001"])).stderr).into_owned();
    assert!(said.contains("no label printer is set up"), "{said}");
    ok(dir, &as_manager(&["config", "set", "label-printer", &zpl.address()]));
    let refused = cli(dir, &as_cashier(&["labels", "print", "--item", "BAK0001"]));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("manager must approve"),
        "labels change what the shelves say"
    );
    let printed = ok(dir, &as_manager(&["labels", "print", "--item", "BAK0001", "--item", "FRU0049"]));
    assert_eq!(printed, "2 shelf labels printed\n");
    insta::assert_snapshot!("labels_by_code", zpl.labels(2).join("---\n"));

    // Every label printed once; then a price changes and only its label is due.
    ok(dir, &as_manager(&["labels", "print", "--changed"]));
    assert_eq!(ok(dir, &["labels", "due"]), "0 shelf labels due\n");
    let catalog = dir.join("new-prices.csv");
    std::fs::write(&catalog, "sku,name,price,barcode,unit,tax_rate,cost,category,reorder_point\nBAK0001,Baguette tradition,1.35,3602850684422,each,5.5,0.40,Boulangerie,20\n").unwrap();
    ok(dir, &["catalog", "import", catalog.to_str().unwrap()]);
    assert_eq!(ok(dir, &["labels", "due"]), "BAK0001\t1.35\tBaguette tradition\n1 shelf labels due\n");
    let receipt_printer = VirtualPrinter::start();
    ok(dir, &as_manager(&["labels", "print", "--changed", "--printer", &receipt_printer.address()]));
    let slip = receipt_printer.printed().join("\n");
    assert!(slip.contains("Baguette tradition") && slip.contains("1.35") && slip.contains("3602850684422"), "{slip}");
    assert_eq!(ok(dir, &["labels", "due"]), "0 shelf labels due\n");
    let zpl = VirtualLabelPrinter::start();
    let shelf = ok(dir, &as_manager(&["labels", "print", "--category", "boulangerie", "--printer", &zpl.address()]));
    let count: usize = shelf.split_whitespace().next().unwrap().parse().unwrap();
    let labels = zpl.labels(count).join("");
    assert!(count > 1 && labels.contains("Baguette tradition") && !labels.contains("Lait"), "{shelf}");
    let unknown = cli(dir, &as_manager(&["labels", "print", "--category", "Jouets", "--printer", &zpl.address()]));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no product is in category “Jouets”"));
    let bad = cli(dir, &as_manager(&["config", "set", "label-printer", "zpl://:9100"]));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the host is missing"));
}
