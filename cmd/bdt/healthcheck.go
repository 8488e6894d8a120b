package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultListen is the admin endpoint's address: the default of `bdt serve
// --listen` and of the address `bdt healthcheck` asks.
const defaultListen = "127.0.0.1:9090"

// newHealthcheckCommand returns "healthcheck", a probe for a container's
// HEALTHCHECK that needs no shell tool: GET a URL, exit 0 on a 2xx answer
// and 1 otherwise.
func newHealthcheckCommand() *cobra.Command {
	var listen string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck [URL]",
		Short: "Ask the admin endpoint of bdt serve whether it is up: exit 0 on a 2xx answer, 1 otherwise",
		Long: `Ask the admin endpoint of bdt serve whether it is up: GET URL (default: /healthz
at the --listen address, which BDT_LISTEN sets as for bdt serve; an address
on all interfaces is asked on loopback). Exit 0 on a 2xx answer within
--timeout, 1 otherwise, with the reason on standard error. Made for a
container's HEALTHCHECK, which then needs no curl or shell.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			url := healthURL(listen)
			if len(args) == 1 {
				url = args[0]
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return exitWith(exitUsage, "healthcheck: %v", err)
			}
			// No proxy: the probe asks the endpoint itself.
			client := &http.Client{Transport: &http.Transport{}}
			resp, err := client.Do(req)
			if err != nil {
				return exitWith(exitFailed, "healthcheck: %v", err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			if resp.StatusCode/100 != 2 {
				return exitWith(exitFailed, "healthcheck: %s: %s %s", url, resp.Status, strings.TrimSpace(string(body)))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", url, resp.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", defaultListen, "address of the admin endpoint (as bdt serve --listen), asked when no URL is given")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

// healthURL is the /healthz URL of the admin endpoint listening on listen;
// an address on all interfaces (0.0.0.0, ::, none) is asked on loopback.
func healthURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/healthz"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
