package portal

// apiRoutes are the /api/v1 paths.
func (s *Server) apiRoutes() []route {
	return nil
}
