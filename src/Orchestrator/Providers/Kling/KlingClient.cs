namespace Orchestrator.Providers.Kling;

/// <summary>Kling's official API: its own paths, a JWT signed from AccessKey/SecretKey (docs/providers.md, Kling).</summary>
internal sealed class KlingClient(HttpClient http, KlingJwt jwt) : KlingProtocolClient(http)
{
    public const string SingaporeUrl = "https://api-singapore.klingai.com";
    public const string BeijingUrl = "https://api-beijing.klingai.com";

    protected override string PathPrefix => "";
    protected override string BearerToken() => jwt.Current();
}
