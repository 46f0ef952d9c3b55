"""The SQLite layout of a built release (one file per release, read-only once built)."""

SCHEMA_VERSION = 1

SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Chapters, sections, categories, subcategories and codes (7th-character expansions
-- included), in Tabular order.
CREATE TABLE codes (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    parent TEXT,
    billable INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    seven_chr_from TEXT,
    expansion INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes (parent, seq);
-- Instructional notes as written at each node; inheritance is applied at lookup.
CREATE TABLE notes (
    code TEXT NOT NULL, kind TEXT NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE INDEX notes_code ON notes (code);
CREATE TABLE seven_chr (
    code TEXT NOT NULL, char TEXT NOT NULL, meaning TEXT NOT NULL, ord INTEGER NOT NULL
);
CREATE INDEX seven_chr_code ON seven_chr (code);
-- Index books: index, eindex, neoplasm, drug.
CREATE TABLE books (book TEXT PRIMARY KEY, version TEXT, headings TEXT NOT NULL);
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    book TEXT NOT NULL,
    parent_id INTEGER,
    level INTEGER NOT NULL,
    title TEXT NOT NULL,
    nonessential TEXT NOT NULL,
    code TEXT,            -- as printed in the index (may end with '-')
    manifestation TEXT,
    see TEXT,
    see_also TEXT,
    norm TEXT NOT NULL,
    resolved TEXT,        -- the code in this release's Tabular
    -- ok, incomplete, needs_7th, expanded_resolved, expanded_ambiguous, deleted, unparsed
    resolution TEXT
);
CREATE INDEX terms_parent ON terms (parent_id);
CREATE INDEX terms_book_level_norm ON terms (book, level, norm);
CREATE INDEX terms_book_norm ON terms (book, norm);
CREATE TABLE cells (term_id INTEGER NOT NULL, col INTEGER NOT NULL, code TEXT NOT NULL,
                    resolved TEXT, resolution TEXT);
CREATE INDEX cells_term ON cells (term_id);
CREATE VIRTUAL TABLE search USING fts5(
    code UNINDEXED, source UNINDEXED, term_id UNINDEXED, text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"""
