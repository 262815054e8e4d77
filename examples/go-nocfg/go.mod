module example.com/go-nocfg

go 1.22
