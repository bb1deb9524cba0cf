// Command xfwatch is the petition (信访) and 12345-hotline analytics and
// early-warning pipeline. Each subcommand lives in its own file; this one
// only dispatches and maps errors to exit codes (0 ok, 1 runtime failure,
// 2 bad usage or configuration).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: run parses args and does the work.
type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func main() {
	os.Exit(runMain(os.Args[1:]))
}

func runMain(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "xfwatch: unknown command %q\n\n", args[0])
		usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "xfwatch %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "xfwatch %s: %v\n", args[0], err)
		return 1
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: xfwatch <command> [flags]   (flags also read from XFWATCH_* environment variables)")
	fmt.Fprintln(os.Stderr, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\n`xfwatch <command> -h` lists a command's flags.")
}
