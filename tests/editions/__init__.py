"""Seeded generators of plausible next editions of the source documents (metamorphic testing).

Each generator takes today's rows as data, applies a seeded set of transformations a publisher
makes between editions (re-worded labels, page furniture, reordered or dropped sections and rows,
other printed forms of amounts and dates, another layout) and writes the document; the expected
table is derived from today's rows by the same transformations. A reader is right on an edition
when it gives exactly the expected table, or when it says, with an error finding, what it could
not read. Wrong data without an error finding ("silent") is the one outcome that must never occur.
"""
