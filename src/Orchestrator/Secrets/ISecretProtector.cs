namespace Orchestrator.Secrets;

/// <summary>
/// Encrypts the secrets the API takes (webhook signing secrets) before they are journaled, and decrypts them when the
/// journal is read back, so that the database file, or a backup of it, does not give them away. The library's one
/// implementation is ASP.NET Core Data Protection with its key ring on disk (<see cref="KeyRingSecretProtector"/>).
/// </summary>
internal interface ISecretProtector
{
    /// <summary>Where the keys are, as a log line may name it.</summary>
    string KeyRing { get; }

    /// <summary>The secret encrypted and authenticated, as text to journal.</summary>
    string Protect(string secret);

    /// <summary>The secret <see cref="Protect"/> was given.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">
    /// The key it was encrypted with is not in the key ring (the ring was lost, or is another node's), or the text was altered.
    /// </exception>
    string Unprotect(string protectedSecret);
}
