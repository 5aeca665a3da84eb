using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Tests.Fuzz;

/// <summary>What came back for one request: its status (<see cref="Closed"/>, <see cref="Hung"/> or <see cref="Failed"/> otherwise) and how long it took.</summary>
public sealed record HostileAnswer(HostileRequest Request, int Status, TimeSpan Elapsed, string? Error = null)
{
    /// <summary>The server closed the connection without an answer (what Kestrel does to some malformed requests).</summary>
    public const int Closed = 0;
    /// <summary>No answer within the bound.</summary>
    public const int Hung = -1;
    /// <summary>The client itself failed (its exception is in <see cref="Error"/>).</summary>
    public const int Failed = -2;
}

/// <summary>
/// Sends <see cref="HostileRequest"/>s to a server over loopback: through HttpClient (paths sent as written), or byte
/// for byte over a socket. Every request is given up after <see cref="Bound"/>: a request still unanswered then is a hang.
/// </summary>
public sealed class HostileClient(Uri server, TimeSpan bound) : IDisposable
{
    /// <summary>The longest a request may take.</summary>
    public TimeSpan Bound => bound;

    /// <summary>
    /// The longest <paramref name="request"/> may take: three times <see cref="Bound"/> for an endless batch upload, which
    /// the server refuses only at its 100,000th line, after reading and validating every one (under a loaded CI machine 14
    /// of them took just over 10 s each, still refused in the end). Any other request gets <see cref="Bound"/>.
    /// </summary>
    public TimeSpan BoundFor(HostileRequest request) => request.Wire?.Pace == WirePace.Endless ? 3 * bound : bound;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        // Unicode header values go out as UTF-8 bytes, as a careless client sends them.
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        MaxConnectionsPerServer = 64,
    })
    { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Sends <paramref name="request"/> and says what came back.</summary>
    public async Task<HostileAnswer> SendAsync(HostileRequest request)
    {
        using var timeout = new CancellationTokenSource(BoundFor(request));
        var watch = Stopwatch.StartNew();
        try
        {
            var status = request.Wire is { } wire ? await RawAsync(wire, timeout.Token)
                // A server may answer a large body before it is sent (a 413 by its length), and HttpClient then reports
                // only that it could not finish sending: such bodies go over a socket that reads the answer as it comes.
                : request.Body is { Length: > LargeBody } ? await RawAsync(AsWire(request), timeout.Token)
                : await HttpAsync(request, timeout.Token);
            return new HostileAnswer(request, status, watch.Elapsed);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new HostileAnswer(request, HostileAnswer.Hung, watch.Elapsed);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse || ResetByServer(e))
        {
            return new HostileAnswer(request, HostileAnswer.Closed, watch.Elapsed, e.Message);
        }
        catch (Exception e)
        {
            return new HostileAnswer(request, HostileAnswer.Failed, watch.Elapsed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private const int LargeBody = 64 * 1024;

    /// <summary>
    /// The server reset the connection: it refused a request (a 401 before reading its body) and closed a connection the
    /// client asked to close while the body was still coming, so the client could not read the answer. A drop, not a client fault.
    /// </summary>
    private static bool ResetByServer(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }) return true;
        return false;
    }

    /// <summary><paramref name="r"/> written out byte for byte: its key, headers and body (chunked if it is).</summary>
    private WireExchange AsWire(HostileRequest r)
    {
        var head = new StringBuilder($"{r.Method} {r.Target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        if (r.Key is { } key && r.Headers.All(h => h.Key != "Authorization")) head.Append($"Authorization: Bearer {key}\r\n");
        foreach (var (name, value) in r.Headers) head.Append($"{name}: {value}\r\n");
        if (r.ContentType is { } type) head.Append($"Content-Type: {type}\r\n");
        var body = r.Body!;
        head.Append(r.Chunked ? "Transfer-Encoding: chunked\r\n\r\n" : $"Content-Length: {body.Length}\r\n\r\n");
        if (r.Chunked) body = [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
        return new WireExchange(Encoding.UTF8.GetBytes(head.ToString()), body, WirePace.AtOnce);
    }

    private async Task<int> HttpAsync(HostileRequest r, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(server.GetLeftPart(UriPartial.Authority) + r.Target,
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        if (r.Body is { } body)
        {
            message.Content = r.Chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
            if (r.ContentType is { } type) message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            if (r.Chunked) message.Headers.TransferEncodingChunked = true;
        }
        // A connection of its own: a request the server answered by closing cannot fail the next one on a reused connection.
        message.Headers.ConnectionClose = true;
        if (r.Key is { } key) message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        foreach (var (name, value) in r.Headers)
        {
            if (name == "Authorization") message.Headers.Remove(name);
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        // Read the answer whole (a stream's status only): an answer that starts and never ends is a hang too.
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!r.Streams || (int)response.StatusCode != 200) await response.Content.CopyToAsync(Stream.Null, ct);
        return (int)response.StatusCode;
    }

    /// <summary>Writes the head and the body as paced, reading until the status line arrives; 0 when the server closed first.</summary>
    private async Task<int> RawAsync(WireExchange wire, CancellationToken ct)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", server.Port, ct);
        var stream = client.GetStream();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = ReadStatusAsync(stream, stop.Token);
        try
        {
            await stream.WriteAsync(wire.Head, ct);
            await WriteBodyAsync(client, stream, wire, reading, ct);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The server stopped reading (it answered, or closed): the answer tells which.
        }
        var status = await reading.WaitAsync(ct);
        return status;
    }

    private static async Task WriteBodyAsync(TcpClient client, NetworkStream stream, WireExchange wire, Task<int> answered, CancellationToken ct)
    {
        switch (wire.Pace)
        {
            case WirePace.AtOnce:
                await stream.WriteAsync(wire.Body, ct);
                return;
            case WirePace.Truncated:
                await stream.WriteAsync(wire.Body, ct);
                client.Client.Shutdown(SocketShutdown.Send);
                return;
            case WirePace.Trickle:
                foreach (var b in wire.Body)
                {
                    if (answered.IsCompleted) return;
                    await stream.WriteAsync(new[] { b }, ct);
                    await Task.Delay(500, ct);
                }
                return;
            case WirePace.Endless:
                var chunk = Encoding.ASCII.GetBytes($"{wire.Body.Length:x}\r\n").Concat(wire.Body).Concat("\r\n"u8.ToArray()).ToArray();
                // At most 1 GiB: a server that reads that much of an endless body without answering has no limit at all.
                for (long sent = 0; !answered.IsCompleted && sent < 1L << 30; sent += chunk.Length) await stream.WriteAsync(chunk, ct);
                return;
        }
    }

    /// <summary>The status of the first answer on the connection, or 0 when it closes before one.</summary>
    private static async Task<int> ReadStatusAsync(NetworkStream stream, CancellationToken ct)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, ct);
            }
            catch (IOException)
            {
                n = 0;
            }
            if (n == 0 && received.Count < 12) return HostileAnswer.Closed;
            received.AddRange(buffer.AsSpan(0, n));
            if (received.Count >= 12)
            {
                var line = Encoding.ASCII.GetString([.. received.Take(12)]);
                return line.StartsWith("HTTP/1.", StringComparison.Ordinal) && int.TryParse(line[9..12], out var status) ? status : HostileAnswer.Failed;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
