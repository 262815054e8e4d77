module example.com/hephy/spin-go

go 1.24

// The exact Go that builds the component: the same Go gives the same bytes, so the same digest.
// An older go command switches to it by itself, downloading it as a module verified by the Go
// checksum database (https://go.dev/doc/toolchain).
toolchain go1.26.8
