package portal

// pageRoutes are the portal's pages.
func (s *Server) pageRoutes() []route {
	return nil
}
