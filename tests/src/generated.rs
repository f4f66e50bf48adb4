//! A generated catalog of any size, with distinct names and barcodes.

use pos_shared::barcode::gs1_check_digit;

const ADJECTIVES: [&str; 20] = [
    "Organic",
    "Fresh",
    "Crunchy",
    "Smoked",
    "Sparkling",
    "Roasted",
    "Spicy",
    "Sweet",
    "Salted",
    "Golden",
    "Wild",
    "Classic",
    "Creamy",
    "Dark",
    "Light",
    "Rustic",
    "Tender",
    "Zesty",
    "Mild",
    "Premium",
];
const NOUNS: [&str; 50] = [
    "Apple",
    "Bread",
    "Cheese",
    "Coffee",
    "Tea",
    "Pasta",
    "Rice",
    "Yogurt",
    "Butter",
    "Honey",
    "Juice",
    "Water",
    "Chocolate",
    "Biscuit",
    "Crisps",
    "Olive",
    "Tomato",
    "Salmon",
    "Chicken",
    "Beef",
    "Ham",
    "Soup",
    "Cereal",
    "Jam",
    "Milk",
    "Cream",
    "Flour",
    "Sugar",
    "Salt",
    "Pepper",
    "Vinegar",
    "Mustard",
    "Ketchup",
    "Mayonnaise",
    "Noodles",
    "Beans",
    "Lentils",
    "Peas",
    "Corn",
    "Carrot",
    "Onion",
    "Garlic",
    "Lemon",
    "Orange",
    "Banana",
    "Pear",
    "Grape",
    "Cherry",
    "Peach",
    "Melon",
];
const BRANDS: [&str; 40] = [
    "Alpine", "Bonterra", "Casa", "Delmar", "Eden", "Fjord", "Granja", "Harbor", "Isola", "Juniper", "Kestrel",
    "Lumen", "Meadow", "Nordic", "Oakridge", "Provence", "Quercus", "Riviera", "Sierra", "Tundra", "Umbria", "Valley",
    "Willow", "Xanthe", "Yarrow", "Zephyr", "Aurora", "Brook", "Cedar", "Dune", "Ember", "Fern", "Grove", "Heath",
    "Iris", "Jade", "Knoll", "Lark", "Moss", "Nectar",
];

/// The EAN-13 of generated product `i`.
pub fn generated_barcode(i: usize) -> String {
    let body = format!("4{:011}", i + 1);
    format!("{body}{}", gs1_check_digit(&body))
}

pub fn generated_name(i: usize) -> String {
    let size = 100 + (i / (ADJECTIVES.len() * NOUNS.len() * BRANDS.len())) * 50;
    format!(
        "{} {} {} {size}g",
        ADJECTIVES[i % ADJECTIVES.len()],
        NOUNS[(i / ADJECTIVES.len()) % NOUNS.len()],
        BRANDS[(i / (ADJECTIVES.len() * NOUNS.len())) % BRANDS.len()],
    )
}

/// A catalog CSV of `n` products with distinct names and barcodes.
pub fn catalog_csv(n: usize) -> String {
    let mut csv = String::from("sku,name,price,barcode,unit,tax_rate,cost,category\n");
    for i in 0..n {
        let price = 50 + (i * 37) % 5000;
        let rate = ["5.5", "10", "20"][i % 3];
        csv.push_str(&format!(
            "G{i:07},{},{}.{:02},{},each,{rate},{}.{:02},Cat{}\n",
            generated_name(i),
            price / 100,
            price % 100,
            generated_barcode(i),
            price / 200,
            price / 2 % 100,
            i % 40
        ));
    }
    csv
}
