package containerservice

// Values of listManagedClusterUserCredentials' format argument. The SDK
// types it as a plain string since 3.24.0; the REST API takes these two.
const (
	// FormatExec asks for a kubeconfig whose user runs kubelogin, the
	// Entra ID exec credential plugin.
	FormatExec = "exec"
	// FormatAzure asks for the deprecated azure auth-provider kubeconfig.
	FormatAzure = "azure"
)
