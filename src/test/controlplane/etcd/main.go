// The etcd server, as the etcd binary starts it: etcd publishes its server as a library module but its main
// package in a module of its own, so this one line of ours gives the build a program to link.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
