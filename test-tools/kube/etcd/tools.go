//go:build tools

// Package tools records the command that bin/install-test-kube builds, so
// that `go mod tidy` keeps every module it needs in go.mod and go.sum.
// In etcd 3.5 and later the etcd binary's main package is the module root.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
