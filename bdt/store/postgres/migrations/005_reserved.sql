-- 005: reserved for the ledger index migration of a sibling branch, which
-- is merged separately; migrations are numbered without gaps, so this
-- branch holds the number with a statement that changes nothing. Whoever
-- merges both keeps the sibling's 005 and deletes this file.
SELECT 1;
