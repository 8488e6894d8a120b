// Package sqlrow is what the SQL drivers of bdt/store (bdt/store/sqlite,
// bdt/store/postgres) share beyond their SQL: the mapping between the ledger
// (bdt/ledger) and its tables, the text of instants, the store.Reader of a
// Store that runs each read in a snapshot of its own (Snapshots), the
// column values of certificates and fees, and the whole of store.Accounts
// (Accounts), statements included: those are the same in both, with
// numbered placeholders. The drivers' schemas keep the same
// tables and columns, so one mapping serves both; what differs between the
// databases (placeholders, types of dates and booleans, transactions) stays
// in each driver and is passed in.
package sqlrow
