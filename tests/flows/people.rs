//! Head office's command line for the people and tills of a chain: a name
//! that exists is never silently changed by `user add`, `user change`
//! changes it, and `user|store|terminal list` show what head office holds.

use pos_tests::head_office::{HqDb, admin_ok, admin_refused, head_office, shop_with_a_till};

fn staff(db: &HqDb) -> serde_json::Value {
    serde_json::from_str(&admin_ok(db, &["--json", "user", "list"])).unwrap()
}

fn person<'a>(people: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    people.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn user_add_refuses_a_name_that_exists_and_user_change_changes_it() {
    let work = tempfile::tempdir().unwrap();
    let db = HqDb::new(work.path());
    head_office(&db);
    admin_ok(&db, &["user", "add", "--name", "gérant s01", "--role", "manager", "--pin", "246810", "--store", "S01"]);
    let before = staff(&db);

    let refused = admin_refused(&db, &["user", "add", "--name", "gérant s01", "--role", "cashier", "--pin", "4321"]);
    assert!(refused.contains("exists already") && refused.contains("user change"), "{refused}");
    assert_eq!(staff(&db), before, "nothing changed");

    // A new role needs a new PIN; a wrong store or name is refused; nothing changes.
    for (args, says) in [
        (vec!["user", "change", "gérant s01", "--role", "cashier"], "needs a new PIN"),
        (vec!["user", "change", "gérant s01", "--store", "S99"], "S99"),
        (vec!["user", "change", "nobody", "--pin", "135791"], "no till user named `nobody`"),
        (vec!["user", "change", "gérant s01"], "say what changes"),
        (vec!["user", "change", "gérant s01", "--pin", "12"], "digits"),
    ] {
        let refused = admin_refused(&db, &args);
        assert!(refused.contains(says), "{args:?}: {refused}");
        assert_eq!(staff(&db), before, "{args:?} changed nothing");
    }

    admin_ok(&db, &["user", "change", "gérant s01", "--store", "S02"]);
    assert_eq!(person(&staff(&db), "gérant s01")["store"], "S02");
    admin_ok(&db, &["user", "change", "gérant s01", "--every-store"]);
    assert!(person(&staff(&db), "gérant s01")["store"].is_null());
    admin_ok(&db, &["user", "change", "gérant s01", "--role", "cashier", "--pin", "8642", "--store", "S01"]);
    let changed = staff(&db);
    let gerant = person(&changed, "gérant s01");
    assert_eq!((gerant["role"].as_str(), gerant["store"].as_str()), (Some("cashier"), Some("S01")));
    assert!(admin_ok(&db, &["user", "list"]).contains("gérant s01\tcashier\tS01"));
}

#[test]
fn store_and_terminal_lists_show_what_head_office_holds() {
    let work = tempfile::tempdir().unwrap();
    let (db, _server, till) = shop_with_a_till(work.path());
    admin_ok(&db, &["terminal", "add", "--store", "S02", "--name", "Caisse Lyon"]);
    pos_tests::cli_ok(&till, &pos_tests::as_cashier(&["sell", "--item", "BAK0001", "--pay", "cash:5"]));
    pos_tests::cli_ok(&till, &["sync", "--once"]);

    let stores = admin_ok(&db, &["store", "list"]);
    assert!(stores.contains("S01\tParis Halles\tEUR") && stores.contains("S02\tLyon Part-Dieu"), "{stores}");
    let tills: serde_json::Value = serde_json::from_str(&admin_ok(&db, &["--json", "terminal", "list"])).unwrap();
    let tills = tills.as_array().unwrap();
    assert_eq!(tills.len(), 2);
    let paris = &tills[0];
    assert_eq!((paris["store"].as_str(), paris["enrolled"].as_bool()), (Some("S01"), Some(true)));
    assert_eq!(paris["last_seq"], 2, "the session opened and the sale");
    assert_eq!(paris["pending_entries"], 0);
    assert_eq!(paris["public_key"].as_str().map(str::len), Some(64));
    assert_eq!(tills[1]["enrolled"], false);
    let text = admin_ok(&db, &["terminal", "list"]);
    assert!(text.contains("S02\tS02-T01\tCaisse Lyon\tnot enrolled\tlast push never\tentries received 0"), "{text}");
}
