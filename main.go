// Command fhir-dr is the Pulumi program that declares one customer's FHIR
// disaster recovery deployment on Azure; see README.md.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/fhir-dr/fhir-dr/program"
)

func main() {
	pulumi.Run(program.Run)
}
