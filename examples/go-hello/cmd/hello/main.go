// hello prints its version and the architecture it was built for, so a multi-arch image shows
// which platform's binary ran.
package main

import (
	"fmt"
	"runtime"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

func main() {
	fmt.Printf("go-hello %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
}
