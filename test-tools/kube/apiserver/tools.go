//go:build tools

// Package tools records the command that bin/install-test-kube builds, so
// that `go mod tidy` keeps every module it needs in go.mod and go.sum.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
