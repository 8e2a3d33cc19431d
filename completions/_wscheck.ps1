
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wscheck' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wscheck'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wscheck' {
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable')
            [CompletionResult]::new('--subprotocol', '--subprotocol', [CompletionResultType]::ParameterName, 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Send an Origin header')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Send an Origin header')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'wss://: trust the certificates in this PEM file too (added to the system roots)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'wss://: present this PEM client certificate (with --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'wss://: the PKCS#8 PEM private key of --cert')
            [CompletionResult]::new('--cert-warn-days', '--cert-warn-days', [CompletionResultType]::ParameterName, 'wss://: warn when the server''s certificate expires within N days')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); '''' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.')
            [CompletionResult]::new('--noproxy', '--noproxy', [CompletionResultType]::ParameterName, 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); ''*'' for all')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL''s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL''s. IPv6 in brackets. Repeatable; the first match applies')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be ''*''; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)')
            [CompletionResult]::new('--max-redirs', '--max-redirs', [CompletionResultType]::ParameterName, 'The most redirects -L follows')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends the file''s content as one message, @- stdin''s, @@text the text @text')
            [CompletionResult]::new('--execute', '--execute', [CompletionResultType]::ParameterName, 'Send MSG after connecting (repeatable, in order); stdin is then not read. @FILE sends the file''s content as one message, @- stdin''s, @@text the text @text')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Exit 0 after N received messages (a goal: see --timeout)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Exit 0 after N received messages (a goal: see --timeout)')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Exit 0 at the first received message matching this regex (a goal: see --timeout)')
            [CompletionResult]::new('--expect-close', '--expect-close', [CompletionResultType]::ParameterName, 'Exit 0 only if the server closes with one of these codes (comma-separated, or the flag repeated); another code, or none, exits 8 (a goal: see --timeout)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'After the last send, keep listening until the connection has been quiet this long (default 1s; every received message restarts it; 0 closes at once). Not with a goal')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'After the last send, keep listening until the connection has been quiet this long (default 1s; every received message restarts it; 0 closes at once). Not with a goal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Overall deadline, from start to exit: DNS, connect, TLS, the HTTP exchange and the session (0: no limit). Default: none, or 10s of session when a goal is given')
            [CompletionResult]::new('--binary-output', '--binary-output', [CompletionResultType]::ParameterName, 'How received binary messages are written to a pipe [default: hex]')
            [CompletionResult]::new('--ping-interval', '--ping-interval', [CompletionResultType]::ParameterName, 'Send a ping this often and show each round-trip time')
            [CompletionResult]::new('--ping-timeout', '--ping-timeout', [CompletionResultType]::ParameterName, 'End the session (exit 9) when a ping is not answered within this long')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Largest message (and frame) accepted: bytes, or 64k/64KiB, 1M/1MiB, 1G (binary multiples), at most 1G; a larger one ends the session (1009)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame''s header annotated, as curl''s --trace; ''-'' for stderr. Credentials masked unless --show-secrets')
            [CompletionResult]::new('--trace-ascii', '--trace-ascii', [CompletionResultType]::ParameterName, 'Like --trace, in ASCII only (curl''s --trace-ascii)')
            [CompletionResult]::new('--har', '--har', [CompletionResultType]::ParameterName, 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages')
            [CompletionResult]::new('--deflate', '--deflate', [CompletionResultType]::ParameterName, 'Offer permessage-deflate as Chrome does (''Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits''), judge the answer, and compress messages when it is agreed')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'wss://: accept any certificate and host name (insecure)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'wss://: accept any certificate and host name (insecure)')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects (3xx with Location)')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects (3xx with Location)')
            [CompletionResult]::new('--handshake-only', '--handshake-only', [CompletionResultType]::ParameterName, 'Close (1000) right after the verdict')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Send each stdin line, and each -x message, as a binary message')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'End each received message on stdout with a NUL byte instead of a newline')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'End each received message on stdout with a NUL byte instead of a newline')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Show ping and pong frames')
            [CompletionResult]::new('--show-ping-pong', '--show-ping-pong', [CompletionResultType]::ParameterName, 'Show ping and pong frames')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Prefix messages shown on a terminal with the time since start')
            [CompletionResult]::new('--lenient', '--lenient', [CompletionResultType]::ParameterName, 'Go on into the session after a 101 whose findings have errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON Lines events on stdout instead of the transcript')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, Cookie, …) instead of masking them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wscheck;serve' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one. The URL is printed on stdout')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one. The URL is printed on stdout')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'The reason phrase of the 101 status line')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Accept this subprotocol when the client offers it. Repeatable')
            [CompletionResult]::new('--subprotocol', '--subprotocol', [CompletionResultType]::ParameterName, 'Accept this subprotocol when the client offers it. Repeatable')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Serve wss:// with this PEM certificate (chain) …')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, '… and this PKCS#8 PEM private key')
            [CompletionResult]::new('--deflate', '--deflate', [CompletionResultType]::ParameterName, 'Accept a permessage-deflate offer (RFC 7692) and echo compressed')
            [CompletionResult]::new('--lenient', '--lenient', [CompletionResultType]::ParameterName, 'Accept what a strict server refuses (any method, HTTP/1.0, no Host, a key that is not 16 bytes) and drop a connection that breaks the framing rules without a Close frame')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wscheck;demo' {
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'The tour over HTTP/2 (RFC 8441): the WebSocket opens with :status 200, not 101')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wscheck;probe' {
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a request header, ''Name: value''; one naming a generated header replaces it, and ''Name:'' with no value removes it. Repeatable')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable')
            [CompletionResult]::new('--subprotocol', '--subprotocol', [CompletionResultType]::ParameterName, 'Offer a subprotocol (Sec-WebSocket-Protocol). Repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Send an Origin header')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Send an Origin header')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Send ''Authorization: Basic'' with these credentials (instead of the URL''s user:pass@); with no '':PASS'' the password is asked for on the terminal')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'wss://: trust the certificates in this PEM file too (added to the system roots)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'wss://: present this PEM client certificate (with --key)')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'wss://: the PKCS#8 PEM private key of --cert')
            [CompletionResult]::new('--cert-warn-days', '--cert-warn-days', [CompletionResultType]::ParameterName, 'wss://: warn when the server''s certificate expires within N days')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Tunnel through this proxy: http://[user:pass@]host[:port] (CONNECT), socks5://… (SOCKS5, the name resolved here) or socks5h://… (the proxy resolves it); '''' for none. Without it: http_proxy (ws://), https_proxy/HTTPS_PROXY (wss://), all_proxy/ALL_PROXY.')
            [CompletionResult]::new('--noproxy', '--noproxy', [CompletionResultType]::ParameterName, 'Hosts to reach without a proxy (comma-separated names, domains, IPs or CIDR ranges such as 10.0.0.0/8; overrides NO_PROXY); ''*'' for all')
            [CompletionResult]::new('--unix-socket', '--unix-socket', [CompletionResultType]::ParameterName, 'Connect to this Unix domain socket instead of the network; the URL still gives Host, the path and, for wss://, the TLS name (as curl)')
            [CompletionResult]::new('--connect-to', '--connect-to', [CompletionResultType]::ParameterName, 'For a connection to HOST:PORT, connect to CONNECT_HOST:CONNECT_PORT instead; Host, SNI and certificate checks keep the URL''s name. Empty HOST or PORT: any; empty CONNECT_HOST or CONNECT_PORT: the URL''s. IPv6 in brackets. Repeatable; the first match applies')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Use these addresses for HOST:PORT instead of DNS: HOST:PORT:ADDR[,ADDR...] (HOST may be ''*''; IPv6 in [brackets]); used whatever -4/-6 say. Repeatable')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'One deadline for DNS + TCP + TLS + the HTTP exchange of each connection (250ms, 2s, 1m, or seconds; 0: no limit)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Write every byte sent and received (after TLS: decrypted for wss) to FILE, timestamped, in hex and ASCII with each WebSocket frame''s header annotated, as curl''s --trace; ''-'' for stderr. Credentials masked unless --show-secrets')
            [CompletionResult]::new('--trace-ascii', '--trace-ascii', [CompletionResultType]::ParameterName, 'Like --trace, in ASCII only (curl''s --trace-ascii)')
            [CompletionResult]::new('--har', '--har', [CompletionResultType]::ParameterName, 'Write the run as HAR 1.2 to FILE at exit (as browser dev tools export it): the upgrade exchange as an entry, the messages in _webSocketMessages')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Run this many variants at once, each on its own connection')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only this group or variant (repeatable, or comma-separated)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out this group or variant (repeatable, or comma-separated)')
            [CompletionResult]::new('--deflate', '--deflate', [CompletionResultType]::ParameterName, 'Offer permessage-deflate as Chrome does (''Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits''), judge the answer, and compress messages when it is agreed')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'wss://: accept any certificate and host name (insecure)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'wss://: accept any certificate and host name (insecure)')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'Open the WebSocket over HTTP/2 (RFC 8441 extended CONNECT), as browsers do when the server offers it: wss:// by ALPN h2, ws:// as h2c with prior knowledge. Success is 200, not 101')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show timings: DNS, TCP connect, TLS, the HTTP exchange, the first message')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON Lines events on stdout instead of the transcript')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show credentials (Authorization, Cookie, …) instead of masking them')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print every variant (group, id, what it sends, what it expects) and exit; with -v, each request in full')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 6 when a variant warns, not only when one fails')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wscheck;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wscheck;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'wscheck;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local echo server with a configurable handshake, strict about RFC 6455 (--lenient: not)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start an echo server on 127.0.0.1 and inspect it: the zero-setup tour')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Send the handshake as every client that will call URL sends it, and what RFC 6455 says a server must refuse or accept; print a matrix of pass / fail / warn / skip')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wscheck;help;serve' {
            break
        }
        'wscheck;help;demo' {
            break
        }
        'wscheck;help;probe' {
            break
        }
        'wscheck;help;completions' {
            break
        }
        'wscheck;help;man' {
            break
        }
        'wscheck;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
