using System.Security.Cryptography;

namespace Orchestrator.Secrets;

/// <summary>
/// A secret as a journal event holds it: <c>Protected</c>, encrypted by the <see cref="ISecretProtector"/>, or, in events
/// written before secrets were encrypted, <c>Plain</c>. Kept in this form in memory too, and revealed where it is used.
/// </summary>
internal sealed record JournaledSecret(string? Protected, string? Plain)
{
    /// <exception cref="CryptographicException">The key ring cannot decrypt it (see <see cref="ISecretProtector.Unprotect"/>).</exception>
    public string Reveal(ISecretProtector protector) =>
        Protected is { } p ? protector.Unprotect(p) : Plain ?? throw new CryptographicException("The event holds no secret.");

    public override string ToString() => nameof(JournaledSecret);
}
