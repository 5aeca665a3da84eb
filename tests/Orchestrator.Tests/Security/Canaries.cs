using System.Text;
using System.Text.Json;

namespace Orchestrator.Tests.Security;

/// <summary>
/// Distinctive credential values and how a leak of one would look in bytes: the value as it is, as System.Text.Json
/// writes it inside a string (<c>+</c> as <c>\u002B</c>), and base64 or base64url of it at each of the three alignments
/// (a Kling JWT carries its access key base64url-encoded; a webhook secret is base64 of its key bytes).
/// </summary>
internal sealed class Canaries
{
    private readonly List<(string Name, byte[][] Forms)> _all = [];

    /// <summary>Adds a canary by name; returns its value for the configuration.</summary>
    public string Add(string name, string value)
    {
        _all.Add((name, Forms(value).Distinct().Select(Encoding.UTF8.GetBytes).ToArray()));
        return value;
    }

    /// <summary>A <c>whsec_</c> webhook secret whose key bytes spell <paramref name="text"/>: the secret and the text are both canaries.</summary>
    public string AddWebhookSecret(string name, string text)
    {
        Add(name + " (key bytes)", text);
        return Add(name, "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
    }

    public int Count => _all.Count;

    /// <summary>The names of the canaries found in <paramref name="bytes"/>.</summary>
    public IEnumerable<string> FoundIn(ReadOnlySpan<byte> bytes)
    {
        var found = new List<string>();
        foreach (var (name, forms) in _all)
            foreach (var form in forms)
                if (bytes.IndexOf(form) >= 0) { found.Add(name); break; }
        return found;
    }

    public IEnumerable<string> FoundIn(string text) => FoundIn(Encoding.UTF8.GetBytes(text));

    private static IEnumerable<string> Forms(string value)
    {
        yield return value;
        yield return JsonEncodedText.Encode(value).ToString();
        var bytes = Encoding.UTF8.GetBytes(value);
        // Whatever precedes it, base64 of a value shifted by 0, 1 or 2 bytes holds these inner characters unchanged.
        for (var shift = 0; shift < 3; shift++)
        {
            var b64 = Convert.ToBase64String([.. new byte[shift], .. bytes]);
            var inner = b64[(shift == 0 ? 0 : 4)..^4];
            yield return inner;
            yield return inner.Replace('+', '-').Replace('/', '_');
        }
    }
}
