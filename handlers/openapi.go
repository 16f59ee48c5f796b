package handlers

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OpenAPISpec is the API contract, kept equal to the registered routes by TestOpenAPIMatchesRoutes.
//
//go:embed openapi.yaml
var OpenAPISpec []byte

func serveOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", OpenAPISpec)
}
