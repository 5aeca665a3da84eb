namespace Orchestrator.ResultFiles;

/// <summary>
/// One result file as kept in a result store. <paramref name="Sha256"/> is lowercase hex and doubles as the HTTP
/// entity tag; <paramref name="ContentType"/> is the media type the provider served it with.
/// </summary>
public sealed record StoredFile(int Index, string Sha256, long Bytes, string ContentType);

/// <summary>An opened stored file: what it is and its content from the start. Disposing it closes the content.</summary>
public sealed record StoredFileContent(StoredFile File, Stream Content) : IDisposable, IAsyncDisposable
{
    /// <summary>Closes the content.</summary>
    public void Dispose() => Content.Dispose();

    /// <summary>Closes the content.</summary>
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>More bytes arrived than the limit allows; whatever was written of the file has been removed.</summary>
public sealed class ResultTooLargeException(long limit)
    : Exception($"The result file is larger than the {limit}-byte limit.")
{
    /// <summary>The limit in bytes that was exceeded.</summary>
    public long Limit { get; } = limit;
}
