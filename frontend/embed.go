// Package frontend embeds the built browser app. Before the first
// `npm run build`, dist holds only .gitkeep and the server says so.
package frontend

import "embed"

//go:embed all:dist
var Dist embed.FS
