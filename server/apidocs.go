package server

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// /api/docs renders the OpenAPI document with swagger-ui-dist. Its files
// are copied into the embedded app (frontend/dist/apidocs, by
// frontend/scripts/apidocs.mjs at build time) and the page and its
// initializer come from here, so nothing is fetched from elsewhere and the
// strict CSP (no inline script) holds.

const apiDocsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>copyhold API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body>
</html>
`

// apiDocsInit starts swagger-ui on the document. No validator badge (it
// would call out to validator.swagger.io) and no "try it out" by default.
const apiDocsInit = `window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
`

// apiDocsFiles are the files of swagger-ui-dist the page uses.
var apiDocsFiles = map[string]string{
	"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
	"swagger-ui.css":       "text/css; charset=utf-8",
	"LICENSE":              "text/plain; charset=utf-8",
	"NOTICE":               "text/plain; charset=utf-8",
}

func (s *Server) handleAPIDocs(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(apiDocsPage))
}

func (s *Server) handleAPIDocsAsset(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	if name == "init.js" {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", []byte(apiDocsInit))
		return
	}
	ct, ok := apiDocsFiles[name]
	if !ok || s.cfg.Assets == nil {
		fail(c, errRouteMissing.With("no such file of the API reader (is the browser app built into this binary?)"))
		return
	}
	b, err := fs.ReadFile(s.cfg.Assets, "apidocs/"+name)
	if err != nil {
		fail(c, errRouteMissing.With("the API reader is not built into this binary: run make build"))
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, ct, b)
}
