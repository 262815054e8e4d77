// A Spin HTTP component in Go, run by Spin's WAGI executor (`executor = { type = "wagi" }` in
// spin.toml): the request arrives as CGI variables in the environment (REQUEST_METHOD, PATH_INFO,
// QUERY_STRING, ...) with the body on stdin, and the response goes to stdout as CGI headers, a
// blank line and the body. Go's own wasip1 port builds it as a core module; jco wraps that into a
// WASI command component, which is what Spin's WAGI executor calls (wasi:cli/run).
package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// Spin mounts the component's `files` here (spin.toml: destination = "/static").
const staticDir = "/static/"

func main() {
	method, route := os.Getenv("REQUEST_METHOD"), os.Getenv("PATH_INFO")
	if strings.HasPrefix(route, staticDir) {
		serveFile(path.Clean(route))
		return
	}
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Printf("Status: 500\nContent-Type: text/plain\n\ncannot read the request body: %v\n", err)
		return
	}
	fmt.Print("Content-Type: text/plain; charset=utf-8\n\n")
	fmt.Printf("hello from spin-go: %s %s, %d bytes\n", method, route, len(body))
}

// serveFile answers with a file of the mounted static directory. The WASI sandbox holds nothing
// else, and path.Clean keeps the path under the mount.
func serveFile(name string) {
	data, err := os.ReadFile(name)
	if !strings.HasPrefix(name, staticDir) || err != nil {
		fmt.Print("Status: 404\nContent-Type: text/plain\n\nnot found\n")
		return
	}
	contentType := "text/plain; charset=utf-8"
	if strings.HasSuffix(name, ".html") {
		contentType = "text/html; charset=utf-8"
	}
	fmt.Printf("Content-Type: %s\n\n", contentType)
	os.Stdout.Write(data)
}
