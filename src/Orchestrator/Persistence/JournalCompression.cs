using System.IO.Compression;

namespace Orchestrator.Persistence;

/// <summary>
/// Brotli for the journal's bulkiest events (<see cref="OrchestratorSerializer"/>): a task's request and results, a
/// batch's chunk of lines. Quality 4 is fast (a 1,000-line chunk in a few milliseconds, a task's event in microseconds)
/// and its built-in dictionary already knows JSON and English words, so even a 300-byte event shrinks by about a third.
/// </summary>
internal static class JournalCompression
{
    private const int Quality = 4;
    private const int Window = 22;

    public static byte[] Compress(byte[] plain)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(plain.Length)];
        if (!BrotliEncoder.TryCompress(plain, buffer, out var written, Quality, Window))
            throw new System.Runtime.Serialization.SerializationException("A journal event could not be compressed.");
        return buffer[..written];
    }

    public static byte[] Decompress(byte[] compressed)
    {
        using var input = new MemoryStream(compressed);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(compressed.Length * 4);
        brotli.CopyTo(output);
        return output.ToArray();
    }
}
