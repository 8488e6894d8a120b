package rules

// ListingOwner returns the owner that a listing of certificates by actor a
// (a search or an export, once CheckViewAccess lets a view) is limited to:
// "" (every certificate of the sponsor) for a Level 1 user, and the user's
// own id for a Level 2 user, as R.CERT.OWNER limits a Level 2 user to the
// certificates they created and assigned or that were transferred to them.
func ListingOwner(a Actor) string {
	if a.User.Level == Level1 {
		return ""
	}
	return a.User.ID
}

// FileScope returns the user a listing of a sponsor's files for user u is
// limited to: "" (every file of the sponsor, whatever its channel) for a
// Level 1 user, and u's own id for a Level 2 user, who sees only the files
// they submitted (FileVisible), as R.CERT.OWNER limits them to their own
// certificates. Any other level (none acts in SMS) is limited like Level 2.
func FileScope(u User) string {
	return ListingOwner(Actor{User: &u})
}

// FileVisible reports whether user u may see a file of u's sponsor whose
// submitter is submitter (the signed-in user who uploaded it; "" for a file
// that arrived by another channel) and whose header names headerUser: a
// Level 1 user sees every file; a Level 2 user the files they uploaded,
// and of the files that came by another channel those whose header names
// them. The sponsor is the caller's to check (a file of another sponsor is
// never visible); the ledger's filter (store.FileListParams.User) is the
// same decision in SQL.
func FileVisible(u User, submitter, headerUser string) bool {
	scope := FileScope(u)
	switch {
	case scope == "":
		return true
	case submitter != "":
		return submitter == scope
	default:
		return headerUser == scope
	}
}
