package store

// OnClaimStream sets the hook told which stream served each claim of a
// project ordered by usefulness, and returns the function that unsets it.
func OnClaimStream(f func(stream string)) (restore func()) {
	old := onStream
	onStream = func(st claimStream) { f(string(st)) }
	return func() { onStream = old }
}
