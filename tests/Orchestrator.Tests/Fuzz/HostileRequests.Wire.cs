using System.Text;

namespace Orchestrator.Tests.Fuzz;

/// <summary>The raw-socket scenario: slow, endless, truncated and malformed HTTP that no client library sends.</summary>
public sealed partial class HostileRequests
{
    private HostileRequest Wire()
    {
        var batch = "POST /v1/batches";
        HostileRequest Raw(string route, WireExchange wire) => new("wire", route, route[..route.IndexOf(' ')], route[(route.IndexOf(' ') + 1)..]) { Wire = wire };
        // A slow body holds its connection for Kestrel's grace period (5 s): a few are enough.
        if (_random.Next(20) == 0)
            return Raw("POST /v1/tasks", RawHead("POST", "/v1/tasks", "application/json", "Content-Length: 1000", Utf8(new string('{', 1000)), WirePace.Trickle));
        switch (_random.Next(12))
        {
            case 0: // one line that never ends
                return Raw(batch, RawHead("POST", "/v1/batches", "application/x-ndjson", "Transfer-Encoding: chunked", Utf8(new string('a', 64 * 1024)), WirePace.Endless));
            case 1: // lines that never end: refused at the line limit
                return Raw(batch, RawHead("POST", "/v1/batches", "application/x-ndjson", "Transfer-Encoding: chunked",
                    Utf8(string.Concat(Enumerable.Repeat(Pick(["{}\n", "x\n", "{\"prompt\":1}\n"]), 4096))), WirePace.Endless));
            case 2: // an endless JSON array
                return Raw(batch, RawHead("POST", "/v1/batches", "application/json", "Transfer-Encoding: chunked",
                    Utf8("[" + string.Concat(Enumerable.Repeat("{},", 4096))), WirePace.Endless));
            case 3:
                var route = Pick(["POST /v1/tasks", "POST /v1/webhooks", batch, "POST /v1/callbacks/{provider}/{taskId}"]);
                var target = route[5..].Replace("{provider}", "simulator").Replace("{taskId}", targets.TaskId) + (route.Contains("callbacks") ? "?token=" + targets.CallbackToken : "");
                return Raw(route, RawHead("POST", target, "application/json", "Content-Length: 500", Utf8("{\"provider\":\"simulator\",\"prompt\":\"" + new string('x', 80)), WirePace.Truncated));
            case 4:
                return Raw("POST /v1/tasks", RawHead("POST", "/v1/tasks", "application/json",
                    Pick(["Transfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nContent-Length: 5", "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: identity"]),
                    Utf8(Pick(["zz\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n", "ffffffffffffffffff\r\n{}", "2;ext=\"\r\n{}\r\n0\r\n\r\n", "-1\r\n\r\n", "0\r\n\r\n"]))));
            case 5: // too large a header, or too many
                return Raw("GET /v1/tasks", RawHead("GET", "/v1/tasks", null, _random.Next(2) == 0
                    ? "X-Big: " + new string('h', 40 * 1024)
                    : string.Join("\r\n", Enumerable.Range(0, 150).Select(i => $"X-H{i}: {i}")), []));
            case 6:
                return Raw("GET /v1/tasks/{id}", RawHead("GET", Pick([
                    "/v1/tasks/../../etc/passwd", "/v1/tasks/%2e%2e/%2e%2e/healthz", "/v1/tasks/\u00e9\u00e8", "//v1//tasks", "/v1/tasks/a?b=%", "/V1/TASKS/x",
                    "http://evil.example/v1/tasks/x", "/v1/tasks/" + new string('a', 20_000), "*", "/v1/tasks/x#frag", "/v1/tasks/x?" + new string('q', 9000),
                ]), null, "", []));
            case 7:
                var line = Pick(["GET /v1/tasks HTTP/9.9", "GET  /v1/tasks HTTP/1.1", "G\0T /v1/tasks HTTP/1.1", "GET /v1/tasks/\u0001 HTTP/1.1", "GET /v1/tasks",
                    "GET /v1/tasks HTTP/1.1 extra", "\r\nGET /v1/tasks HTTP/1.1", "FOO\tBAR / HTTP/1.1", "GET /v1/t\u00e4sks HTTP/1.1"]);
                return Raw("GET /v1/tasks", new WireExchange(Encoding.Latin1.GetBytes($"{line}\r\nHost: {targets.Authority}\r\n\r\n"), [], WirePace.AtOnce));
            case 8:
                var head = Pick([
                    "GET /v1/tasks HTTP/1.1\r\n\r\n", $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\nHost: evil.example\r\n\r\n",
                    "GET /healthz HTTP/1.0\r\n\r\n", $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\nX-Folded: a\r\n b\r\n\r\n",
                    $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\nX-Utf8: \u00c3\u00a9\r\n\r\n", $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\nNo-Colon\r\n\r\n",
                    $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\n: empty-name\r\n\r\n", $"GET /v1/tasks HTTP/1.1\nHost: {targets.Authority}\n\n",
                    $"GET /v1/tasks HTTP/1.1\r\nHost: {targets.Authority}\r\nAuthorization: Bearer \u00ff\u00fe\r\n\r\n",
                ]);
                return Raw("GET /v1/tasks", new WireExchange(Encoding.Latin1.GetBytes(head), [], WirePace.AtOnce));
            case 9: // Expect: 100-continue with a body too large, or a length that is no number
                return Raw("POST /v1/tasks", RawHead("POST", "/v1/tasks", "application/json",
                    Pick(["Content-Length: 2000000\r\nExpect: 100-continue", "Content-Length: -1", "Content-Length: abc", "Content-Length: 1, 2", "Content-Length: 99999999999999999999999"]), []));
            case 10: // the SSE stream opened with a bad position over a raw socket
                return Raw("GET /v1/events", RawHead("GET", "/v1/events", null, Pick(["Last-Event-ID: \u00e9", "Last-Event-ID: 1\r\nLast-Event-ID: 2", "Last-Event-ID:"]) , []));
            default: // pipelined: a valid read, then garbage on the same connection
                return Raw("GET /healthz", new WireExchange(Encoding.Latin1.GetBytes($"GET /healthz HTTP/1.1\r\nHost: {targets.Authority}\r\n\r\n\u0016\u0003\u0001\u0002\u0000garbage\r\n\r\n"), [], WirePace.AtOnce));
        }
    }
}
