namespace Orchestrator.Providers;

/// <summary>
/// Keeps one provider call to one send. SocketsHttpHandler re-sends a request without a body on another connection
/// when a reused connection drops before any answer (RFC 9110 9.2.2 allows it for idempotent methods). A provider that
/// read the first copy before dropping counts both against its QPS limit, while our throttle granted one permit:
/// the chaos run saw a peak of 21 calls in a second on a limit of 20 that way. Every connection of a provider's
/// HTTP client is wrapped in this stream; a call marks itself (<see cref="Begin"/>), and once it has written to one
/// connection, writing to another fails, so the call fails as a lost connection and the task retries it under a new permit.
/// </summary>
internal sealed class SingleSendStream(Stream inner) : Stream
{
    private sealed class Call
    {
        public SingleSendStream? SentOn;
    }

    // Flows with the call into the handler's writes (HTTP/1.1 writes a request on the caller's async flow).
    private static readonly AsyncLocal<Call?> Current = new();

    /// <summary>Marks the calls the current async flow makes from here on as sent at most once (until the flow ends).</summary>
    public static void Begin() => Current.Value = new Call();

    /// <summary>The handler's stream filter that wraps each connection.</summary>
    public static ValueTask<Stream> Wrap(SocketsHttpPlaintextStreamFilterContext context, CancellationToken _) =>
        new(new SingleSendStream(context.PlaintextStream));

    private void Sending()
    {
        if (Current.Value is not { } call) return;
        call.SentOn ??= this;
        if (call.SentOn != this)
            throw new IOException("The connection dropped before the provider answered; the request is not sent again on another connection, as the provider may already count it.");
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Sending();
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Sending();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        Sending();
        return inner.WriteAsync(buffer, offset, count, ct);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Sending();
        return inner.WriteAsync(buffer, ct);
    }

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
