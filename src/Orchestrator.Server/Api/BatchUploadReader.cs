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
/// A JSON Lines line holds exactly one JSON value: anything after it rejects the line. But when the first line that holds
/// anything holds several values, the body's newlines were lost (<c>curl --data @file</c> strips them): its lines cannot
/// be told apart, and the whole body is refused with an <see cref="InvalidDataException"/> before anything is accepted.
/// </summary>
public static class BatchUploadReader
{
    /// <summary>A single request line longer than this is refused (a task request is a few kilobytes).</summary>
    public const int MaxLineBytes = 256 * 1024;

    /// <summary>
    /// Whether the media type is one of the JSON Lines names (<c>application/x-ndjson</c>, <c>application/jsonl</c>,
    /// <c>application/json-lines</c>, ...), judged by the media type alone: <c>text/plain; x=ndjson</c> is what a web page
    /// may send cross-site without asking, and is not one.
    /// </summary>
    public static bool IsJsonLines(string? contentType) =>
        System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } media
        && media.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
        && (media.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || media.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
            || media.Contains("json-lines", StringComparison.OrdinalIgnoreCase));

    /// <summary>JSON Lines: one request per line, blank lines skipped; numbers count every line of the body from 1.</summary>
    public static async IAsyncEnumerable<BatchLineInput> ReadJsonLinesAsync(PipeReader body, [EnumeratorCancellation] CancellationToken ct)
    {
        var number = 0;
        var first = true; // no line has held anything yet
        while (true)
        {
            var read = await body.ReadAsync(ct);
            var buffer = read.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                number++;
                if (first) RefuseIfRunTogether(line, whole: true);
                if (Parse(number, line) is { } input) { first = false; yield return input; }
            }
            if (read.IsCompleted)
            {
                if (buffer.Length > 0 && first) RefuseIfRunTogether(buffer, whole: true);
                if (buffer.Length > 0 && Parse(++number, buffer) is { } last) yield return last;
                body.AdvanceTo(buffer.End);
                yield break;
            }
            if (buffer.Length > MaxLineBytes)
            {
                if (first) RefuseIfRunTogether(buffer, whole: false);
                throw new InvalidDataException($"Line {number + 1} is longer than {MaxLineBytes} bytes.");
            }
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
        JsonElement element;
        try
        {
            element = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return new BatchLineInput(number, null, new FieldError("body", "The line is not valid JSON."));
        }
        var after = line.Slice(reader.BytesConsumed);
        var rest = after.Slice(LeadingWhitespace(after));
        return rest.Length == 0 ? FromElement(number, element) : new BatchLineInput(number, null, new FieldError("body", WhatFollows(line, rest)));
    }

    /// <summary>Says what follows a line's JSON value, and where (columns count characters from 1).</summary>
    private static string WhatFollows(ReadOnlySequence<byte> line, ReadOnlySequence<byte> rest)
    {
        var column = Encoding.UTF8.GetCharCount(line.Slice(0, rest.Start).ToArray()) + 1;
        if (rest.Slice(0, 1).ToArray()[0] is (byte)'{' or (byte)'[')
            return $"The line holds more than one JSON value: another JSON value starts at column {column}. Put one request per line.";
        var text = Encoding.UTF8.GetString(rest.Slice(0, Math.Min(rest.Length, 4 * QuotedChars))).TrimEnd();
        var quoted = text.Length > QuotedChars ? text[..QuotedChars] + "…" : text;
        return $"Text follows the JSON value at column {column}: \"{quoted}\". A line holds exactly one JSON value.";
    }

    private const int QuotedChars = 24;

    /// <summary>
    /// Refuses the body when its first line holds more than one JSON value (with nothing or only whitespace between
    /// them): that is a JSON Lines file whose newlines were lost. <paramref name="whole"/> is false for the start of a
    /// line too long to wait for.
    /// </summary>
    private static void RefuseIfRunTogether(ReadOnlySequence<byte> line, bool whole)
    {
        var values = LeadingValues(line, whole);
        if (values < 2) return;
        throw new InvalidDataException(
            $"The lines of the body could not be told apart: its first line holds {(whole ? "" : "at least ")}{values} JSON values " +
            "with no newline between them. JSON Lines needs one request per line; curl --data @file strips a file's newlines: " +
            "send it with curl --data-binary @file (or curl -T file).");
    }

    /// <summary>How many JSON values follow one another from the start, separated by nothing or whitespace.</summary>
    private static int LeadingValues(ReadOnlySequence<byte> bytes, bool isFinalBlock)
    {
        var count = 0;
        while (true)
        {
            bytes = bytes.Slice(LeadingWhitespace(bytes));
            if (bytes.Length == 0) return count;
            var reader = new Utf8JsonReader(bytes, isFinalBlock, default);
            try
            {
                if (!reader.Read() || !reader.TrySkip()) return count;
            }
            catch (JsonException)
            {
                return count;
            }
            count++;
            bytes = bytes.Slice(reader.BytesConsumed);
        }
    }

    private static long LeadingWhitespace(ReadOnlySequence<byte> bytes)
    {
        long n = 0;
        foreach (var segment in bytes)
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return n;
                n++;
            }
        return n;
    }

    private static BatchLineInput FromElement(int number, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return new BatchLineInput(number, null, new FieldError("body", "A JSON object is required."));
        var (submission, errors) = TaskSubmissionJson.Read(element);
        return submission is not null ? new BatchLineInput(number, submission) : new BatchLineInput(number, null, errors[0]);
    }

    private static bool IsBlank(ReadOnlySequence<byte> line) => LeadingWhitespace(line) == line.Length;
}
