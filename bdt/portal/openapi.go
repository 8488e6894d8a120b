package portal

import (
	_ "embed"
	"net/http"
)

// openAPI is the API's contract, OpenAPI 3.1 (openapi.json): its paths and
// methods are checked against apiRoutes both ways, and a real answer of
// each path against its schema's required fields (openapi_test.go).
//
//go:embed openapi.json
var openAPI []byte

// serveOpenAPI is GET /api/v1/openapi.json. It holds no data, so it needs
// no token: a sponsor's developer reads it before having one.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(openAPI)
}
