using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Orchestrator.Batches;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Api;

/// <summary>
/// Reads a batch upload as it arrives — JSON Lines or a JSON array — one request at a time, so a 100,000-line body
/// is never held whole. A line that is not a valid request becomes a rejection naming the field; it never stops the rest.
/// </summary>
public static class BatchUploadReader
{
    /// <summary>A single request line longer than this is refused (a task request is a few kilobytes).</summary>
    public const int MaxLineBytes = 256 * 1024;

    public static bool IsJsonLines(string? contentType) =>
        contentType is not null && (contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase) || contentType.Contains("json-lines", StringComparison.OrdinalIgnoreCase));

    /// <summary>JSON Lines: one request per line, blank lines skipped; numbers count every line of the body from 1.</summary>
    public static async IAsyncEnumerable<BatchLineInput> ReadJsonLinesAsync(PipeReader body, [EnumeratorCancellation] CancellationToken ct)
    {
        var number = 0;
        while (true)
        {
            var read = await body.ReadAsync(ct);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                number++;
                if (Parse(number, line) is { } input) yield return input;
            }
            if (read.IsCompleted)
            {
                if (buffer.Length > 0 && Parse(++number, buffer) is { } last) yield return last;
                body.AdvanceTo(buffer.End);
                yield break;
            }
            if (buffer.Length > MaxLineBytes) throw new InvalidDataException($"Line {number + 1} is longer than {MaxLineBytes} bytes.");
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>A JSON array of requests; the n-th element is line n.</summary>
    public static async IAsyncEnumerable<BatchLineInput> ReadJsonArrayAsync(Stream body, [EnumeratorCancellation] CancellationToken ct)
    {
        var number = 0;
        await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, ApiJson.Options, ct))
        {
            number++;
            yield return FromElement(number, element);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null) { line = default; return false; }
        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static BatchLineInput? Parse(int number, ReadOnlySequence<byte> line)
    {
        if (line.Length > MaxLineBytes) return new BatchLineInput(number, null, new FieldError("body", $"The line is longer than {MaxLineBytes} bytes."));
        var reader = new Utf8JsonReader(line);
        // Blank lines (and a trailing CR) separate nothing.
        if (IsBlank(line)) return null;
        try
        {
            var element = JsonElement.ParseValue(ref reader);
            return FromElement(number, element);
        }
        catch (JsonException)
        {
            return new BatchLineInput(number, null, new FieldError("body", "The line is not valid JSON."));
        }
    }

    private static BatchLineInput FromElement(int number, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return new BatchLineInput(number, null, new FieldError("body", "A JSON object is required."));
        var (submission, errors) = TaskSubmissionJson.Read(element);
        return submission is not null ? new BatchLineInput(number, submission) : new BatchLineInput(number, null, errors[0]);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
