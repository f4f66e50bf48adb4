-- Version 10: the product grid. Products by category for the tiles, and
-- the favourites page a manager arranges (in order).
CREATE INDEX products_by_category ON products (category, name) WHERE archived = 0;
CREATE TABLE favourites (
    position INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;
