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
