#!/usr/bin/env python3
"""Writes assets/demo-catalog.csv: a small supermarket's catalog (deterministic)."""
import csv
import random
import sys

random.seed(20261127)

# category: (sku prefix, tax rate, unit, price range, base names, variants)
CATEGORIES = {
    "Fruits & légumes": ("FRU", "5.5", "kg", (1.2, 9.9), [
        "Pommes Gala", "Pommes Golden", "Poires Conférence", "Bananes", "Oranges à jus", "Clémentines",
        "Citrons jaunes", "Kiwis", "Raisin blanc", "Tomates grappe", "Tomates cerises", "Courgettes",
        "Aubergines", "Poivrons rouges", "Carottes", "Pommes de terre", "Oignons jaunes", "Échalotes",
        "Champignons de Paris", "Poireaux", "Céleri-rave", "Brocolis", "Haricots verts", "Pêches jaunes",
        "Abricots", "Cerises", "Fraises gariguette", "Mangues", "Avocats", "Ananas Victoria",
    ], ["", " bio"]),
    "Boulangerie": ("BAK", "5.5", "each", (0.9, 6.5), [
        "Baguette tradition", "Pain de campagne", "Croissant pur beurre", "Pain au chocolat",
        "Brioche tressée", "Pain complet", "Pain de mie", "Chausson aux pommes", "Pain aux raisins",
        "Fougasse aux olives", "Bretzel", "Pain de seigle", "Éclair au café", "Tarte aux fraises",
        "Madeleines", "Financiers", "Galette des rois", "Kouign-amann",
    ], ["", " x4", " familial"]),
    "Crèmerie & fromages": ("DAI", "5.5", "each", (0.8, 12.5), [
        "Lait demi-écrémé 1L", "Lait entier 1L", "Beurre doux 250g", "Beurre demi-sel 250g",
        "Crème fraîche épaisse 20cl", "Yaourt nature x4", "Yaourt à la grecque", "Fromage blanc 500g",
        "Comté 18 mois 200g", "Gruyère râpé 200g", "Camembert de Normandie", "Brie de Meaux 200g",
        "Roquefort 150g", "Chèvre frais", "Emmental 250g", "Mozzarella di bufala", "Œufs plein air x6",
        "Œufs bio x12", "Crème dessert vanille", "Skyr nature", "Petits-suisses x6", "Munster AOP",
    ], ["", " bio", " marque repère"]),
    "Boucherie & poissonnerie": ("MEA", "5.5", "kg", (7.9, 39.0), [
        "Entrecôte de bœuf", "Bœuf haché 15%", "Blanc de poulet", "Cuisses de poulet", "Côtes de porc",
        "Filet mignon de porc", "Gigot d'agneau", "Saucisses de Toulouse", "Merguez", "Jambon blanc",
        "Pâté de campagne", "Rillettes du Mans", "Saumon atlantique", "Cabillaud dos", "Crevettes cuites",
        "Moules de bouchot", "Truite fumée", "Dorade royale",
    ], ["", " label rouge"]),
    "Épicerie": ("GRO", "5.5", "each", (0.7, 8.9), [
        "Pâtes penne 500g", "Spaghetti 500g", "Riz basmati 1kg", "Lentilles vertes 500g",
        "Farine de blé T55 1kg", "Sucre en poudre 1kg", "Huile d'olive vierge extra 75cl",
        "Vinaigre balsamique", "Moutarde de Dijon", "Sel de Guérande", "Poivre noir moulu",
        "Sauce tomate basilic", "Thon au naturel", "Sardines à l'huile", "Café moulu arabica 250g",
        "Café en grains 1kg", "Thé vert jasmin", "Chocolat noir 70%", "Confiture de fraises",
        "Miel de lavande", "Céréales muesli", "Biscottes", "Crêpes bretonnes", "Petit-déjeuner bio",
    ], ["", " bio", " x2"]),
    "Boissons": ("BEV", "5.5", "each", (0.5, 5.9), [
        "Eau minérale 1,5L", "Eau gazeuse 1L", "Jus d'orange 1L", "Jus de pomme trouble 1L",
        "Limonade artisanale", "Cola 1,5L", "Thé glacé pêche", "Sirop de menthe", "Nectar d'abricot",
        "Boisson à l'avoine", "Lait d'amande", "Smoothie fraise-banane",
    ], ["", " x6", " bio"]),
    "Vins & spiritueux": ("WIN", "20", "each", (3.9, 39.0), [
        "Bordeaux rouge", "Côtes du Rhône", "Bourgogne Pinot noir", "Chablis", "Sancerre blanc",
        "Rosé de Provence", "Champagne brut", "Crémant d'Alsace", "Muscadet", "Beaujolais",
        "Bière blonde 6x25cl", "Bière ambrée", "Cidre brut", "Calvados", "Cognac VS", "Pastis",
    ], ["", " 2022", " réserve"]),
    "Surgelés": ("FRZ", "5.5", "each", (1.5, 9.9), [
        "Petits pois surgelés", "Épinards hachés", "Frites allégées", "Pizza margherita",
        "Glace vanille 1L", "Sorbet citron", "Poêlée de légumes", "Filets de colin panés",
        "Croissants à cuire", "Ratatouille cuisinée",
    ], ["", " x2", " bio"]),
    "Snacks & confiserie": ("SNK", "5.5", "each", (0.9, 5.5), [
        "Chips nature", "Chips au sel de Guérande", "Cacahuètes grillées", "Biscuits sablés",
        "Bonbons acidulés", "Barre chocolatée", "Pralinés", "Nougat de Montélimar", "Calissons d'Aix",
        "Pop-corn caramel", "Palets bretons", "Macarons assortis",
    ], ["", " format familial", " x3"]),
    "Traiteur": ("DEL", "10", "each", (2.5, 11.9), [
        "Quiche lorraine", "Salade niçoise", "Taboulé oriental", "Lasagnes bolognaise",
        "Hachis parmentier", "Sandwich jambon-beurre", "Wrap poulet crudités", "Taboulé libanais",
        "Gratin dauphinois", "Bœuf bourguignon",
    ], ["", " individuel", " 2 parts"]),
    "Hygiène & beauté": ("HYG", "20", "each", (1.2, 12.9), [
        "Savon de Marseille", "Gel douche", "Shampooing doux", "Dentifrice menthe", "Brosse à dents",
        "Déodorant", "Crème hydratante", "Mouchoirs x10", "Coton-tiges", "Rasoirs jetables",
    ], ["", " peaux sensibles", " format voyage"]),
    "Entretien": ("HOU", "20", "each", (1.5, 14.9), [
        "Liquide vaisselle", "Lessive liquide 2L", "Adoucissant", "Nettoyant multi-surfaces",
        "Éponges x3", "Sacs poubelle 30L", "Papier toilette x12", "Essuie-tout x4", "Vinaigre ménager",
        "Pastilles lave-vaisselle",
    ], ["", " écologique", " format éco"]),
}


def check_digit(payload: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def ean13(body12: str) -> str:
    return body12 + check_digit(body12)


def main() -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["sku", "name", "price", "barcode", "unit", "tax_rate", "cost", "category", "reorder_point"])
    used = set()
    plu = 100
    for category, (prefix, rate, unit, (lo, hi), names, variants) in CATEGORIES.items():
        number = 0
        for name in names:
            for variant in variants:
                number += 1
                sku = f"{prefix}{number:04d}"
                price = round(random.uniform(lo, hi) * (1.25 if "bio" in variant else 1.0), 2)
                tax = float(rate)
                cost = round(price / (1 + tax / 100) * random.uniform(0.55, 0.8), 2)
                if unit == "kg":
                    plu += 1
                    barcodes = [ean13(f"21{plu:05d}00000")]
                else:
                    while True:
                        code = ean13(f"3{random.randint(0, 10**11 - 1):011d}")
                        if code not in used:
                            break
                    barcodes = [code]
                    if random.random() < 0.12:
                        barcodes.append(ean13(f"3{random.randint(0, 10**11 - 1):011d}"))
                used.update(barcodes)
                reorder = random.choice([5, 10, 12, 20, 24, 30]) if unit == "each" else random.choice([2, 5, 10])
                out.writerow([sku, name + variant, f"{price:.2f}", "|".join(barcodes), unit, rate,
                              f"{cost:.2f}", category, reorder])


if __name__ == "__main__":
    main()
