package sqlrow

// First returns the first of list, what a read of one row by its key
// returns: nil, without error, when list is empty; nil and err when err is
// set.
func First[T any](list []*T, err error) (*T, error) {
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}
