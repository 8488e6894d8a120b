package portal

// APIPatterns are the patterns of apiRoutes, for openapi_test.go (the
// patterns depend on no configuration).
func APIPatterns() []string {
	var ps []string
	for _, rt := range (&Server{}).apiRoutes() {
		ps = append(ps, rt.pattern)
	}
	return ps
}
