//go:build !dotnet

// The generators of the Pulumi version chainsmith runs on (the CLI and @pulumi/pulumi).
package main

import (
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

var generators = map[string]generator{
	"nodejs": func(pkg *schema.Package, extra map[string][]byte, local bool, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return nodejs.GeneratePackage("pulumi-language-nodejs", pkg, extra, nil, local, loader)
	},
	"python": func(pkg *schema.Package, extra map[string][]byte, _ bool, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return python.GeneratePackage("pulumi-language-python", pkg, extra, loader)
	},
	"go": func(pkg *schema.Package, _ map[string][]byte, _ bool, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	},
}
