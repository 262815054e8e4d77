// nocfg is built with ko without saying so: its build-config.yaml names no backend, and go.mod
// plus cmd/ make detection choose ko.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("go-nocfg %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
