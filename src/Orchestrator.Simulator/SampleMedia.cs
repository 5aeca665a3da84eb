namespace Orchestrator.Simulator;

/// <summary>Small but real media files served as results, so downloads and checksums can be tested.</summary>
public static class SampleMedia
{
    /// <summary>A valid 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>An ISO-BMFF header (ftyp + empty moov), enough to be recognised as MP4.</summary>
    public static readonly byte[] Mp4 =
    [
        0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 2, 0,
        (byte)'i', (byte)'s', (byte)'o', (byte)'m', (byte)'m', (byte)'p', (byte)'4', (byte)'1',
        0, 0, 0, 8, (byte)'m', (byte)'o', (byte)'o', (byte)'v',
    ];
}
