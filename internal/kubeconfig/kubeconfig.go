// Package kubeconfig turns the user kubeconfig AKS hands out for an Entra
// ID cluster into one the release pipeline can use without a person at the
// keyboard.
//
// listManagedClusterUserCredentials with format "exec" returns a kubeconfig
// whose user runs kubelogin with device-code login. The pipeline is logged in
// with the Azure CLI (azure/login by OIDC), so the user is switched to
// kubelogin's azurecli login, as `kubelogin convert-kubeconfig -l azurecli`
// does: the token is the pipeline identity's own, and Azure RBAC on the
// cluster decides what it may do. A kubeconfig that carries a static
// credential (a client certificate, a token, a password) is refused: that
// is an admin or local account, which fhir-dr never uses.
package kubeconfig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// LoginMode is the kubelogin login the pipeline uses.
const LoginMode = "azurecli"

// ExecAPIVersion is the client authentication API version of kubelogin's
// exec credentials.
const ExecAPIVersion = "client.authentication.k8s.io/v1beta1"

// staticCredentials are user fields that hold a credential in the file.
var staticCredentials = []string{
	"client-certificate-data", "client-key-data", "client-certificate", "client-key",
	"token", "tokenFile", "username", "password", "auth-provider",
}

// FromAKS decodes a base64 kubeconfig from listManagedClusterUserCredentials
// and switches every user to kubelogin's azurecli login. It fails on a
// kubeconfig with no exec user or with a static credential.
func FromAKS(encoded string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("kubeconfig: not base64: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("kubeconfig: not YAML: %w", err)
	}
	err = eachUser(doc, func(name string, user map[string]any) error {
		exec, _ := user["exec"].(map[string]any)
		if exec == nil || exec["command"] != "kubelogin" {
			return fmt.Errorf("kubeconfig: user %q does not log in with kubelogin", name)
		}
		args, err := azureCLIArgs(exec["args"])
		if err != nil {
			return fmt.Errorf("kubeconfig: user %q: %w", name, err)
		}
		exec["args"] = args
		exec["apiVersion"] = ExecAPIVersion
		return nil
	})
	if err != nil {
		return "", err
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("kubeconfig: %w", err)
	}
	return string(out), nil
}

// azureCLIArgs keeps the server ID of kubelogin's get-token arguments and
// sets the login to azurecli; the client and tenant IDs of the device-code
// login do not apply to it.
func azureCLIArgs(v any) ([]any, error) {
	list, _ := v.([]any)
	args := make([]string, 0, len(list))
	for _, a := range list {
		s, ok := a.(string)
		if !ok {
			return nil, fmt.Errorf("exec argument %v is not a string", a)
		}
		args = append(args, s)
	}
	if len(args) == 0 || args[0] != "get-token" {
		return nil, errors.New("exec does not run kubelogin get-token")
	}
	i := slices.Index(args, "--server-id")
	if i < 0 || i+1 >= len(args) {
		return nil, errors.New("exec has no --server-id")
	}
	return []any{"get-token", "--login", LoginMode, "--server-id", args[i+1]}, nil
}

// Check reports whether a kubeconfig is one FromAKS produces: every user
// logs in with kubelogin's azurecli login and none carries a static
// credential.
func Check(config string) error {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(config), &doc); err != nil {
		return fmt.Errorf("kubeconfig: not YAML: %w", err)
	}
	return eachUser(doc, func(name string, user map[string]any) error {
		exec, _ := user["exec"].(map[string]any)
		args, _ := exec["args"].([]any)
		if exec == nil || exec["command"] != "kubelogin" || !slices.Equal(args[:min(3, len(args))], []any{"get-token", "--login", LoginMode}) {
			return fmt.Errorf("kubeconfig: user %q does not log in with kubelogin get-token --login %s", name, LoginMode)
		}
		return nil
	})
}

// eachUser calls f with every user of a kubeconfig after refusing any that
// carries a static credential; a kubeconfig without users is an error.
func eachUser(doc map[string]any, f func(name string, user map[string]any) error) error {
	users, _ := doc["users"].([]any)
	if len(users) == 0 {
		return errors.New("kubeconfig: no users")
	}
	for _, u := range users {
		entry, _ := u.(map[string]any)
		user, _ := entry["user"].(map[string]any)
		name, _ := entry["name"].(string)
		for _, k := range staticCredentials {
			if _, ok := user[k]; ok {
				return fmt.Errorf("kubeconfig: user %q carries a static credential (%s); only Entra ID exec users are used", name, k)
			}
		}
		if err := f(name, user); err != nil {
			return err
		}
	}
	return nil
}
