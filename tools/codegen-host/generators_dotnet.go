//go:build dotnet

// The .NET generator: pkg/codegen of the Pulumi version chainsmith runs on no longer holds it
// (it moved to the pulumi-dotnet repository, whose Go module the proxy reachable here does not
// serve), so this build takes it from an older Pulumi's pkg (scripts/install-codegen-host.sh).
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

var generators = map[string]generator{
	"dotnet": func(pkg *schema.Package, extra map[string][]byte, _ bool, _ schema.ReferenceLoader) (map[string][]byte, error) {
		// The generator downloads the NuGet icon (the schema's logoUrl, or Pulumi's logo): here
		// nothing is downloaded, every request gets chainsmith's icon, drawn in iconPNG.
		http.DefaultTransport = iconTransport{}
		return dotnet.GeneratePackage("pulumi-language-dotnet", pkg, extra, nil)
	},
}

type iconTransport struct{}

func (iconTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(iconPNG())), Request: req, Header: http.Header{"Content-Type": {"image/png"}}}, nil
}

// iconPNG draws a 64x64 icon: three links of a chain on white (the same bytes every time).
func iconPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.White)
			for _, cx := range []int{14, 32, 50} {
				dx, dy := x-cx, y-32
				if d := dx*dx + dy*dy; d >= 64 && d <= 121 {
					img.Set(x, y, color.RGBA{R: 0x1f, G: 0x5f, B: 0x9f, A: 0xff})
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
