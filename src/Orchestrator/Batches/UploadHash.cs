using System.Security.Cryptography;
using System.Text.Json;
using Orchestrator.Persistence;

namespace Orchestrator.Batches;

/// <summary>
/// What an idempotency key's upload holds, as a hash kept with its batch: the lines as they were read (each request as
/// sent, after its tenant was stamped, or why it could not be read) and whether the batch is atomic. The lines as sent,
/// not as validated, so the same upload stays the same even when the validator's answer would change (an account removed).
/// </summary>
internal sealed class UploadHash(bool atomic) : IDisposable
{
    private readonly IncrementalHash _hash = Started(atomic);

    private static IncrementalHash Started(bool atomic)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(atomic ? "atomic\n"u8 : "\n"u8);
        return hash;
    }

    public void Add(BatchLineInput line)
    {
        _hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(line, OrchestratorSerializer.Json));
        _hash.AppendData("\n"u8);
    }

    /// <summary>The hash of what was added (once).</summary>
    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();
}
