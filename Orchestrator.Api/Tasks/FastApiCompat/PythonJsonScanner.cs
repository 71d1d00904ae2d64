namespace Orchestrator.Api.Tasks.FastApiCompat;

/// <summary>
/// CPython's <c>_json.c</c> scanner, reduced to finding the first error (its messages are those of Python before
/// 3.13). Strict JSON: NaN and Infinity, which Python accepts, are refused as System.Text.Json refuses them, and so
/// is nesting deeper than <see cref="MaxDepth"/>.
/// </summary>
sealed class PythonJsonScanner(int[] s)
{
    /// <summary>Python's json gives up near its recursion limit (about 1000 levels); so do we.</summary>
    public const int MaxDepth = 1000;

    enum Expect { Value, Key, AfterValue }

    readonly Stack<int> _open = new();
    (string, int)? _error;

    public (string Message, int Position)? FindError()
    {
        var idx = Whitespace(0);
        var expect = Expect.Value;
        while (true)
        {
            switch (expect)
            {
                case Expect.Value:
                    if (idx >= s.Length)
                        return ("Expecting value", idx);
                    if (s[idx] == '"')
                    {
                        if (String(idx) is not { } end)
                            return _error;
                        idx = end;
                        expect = Expect.AfterValue;
                    }
                    else if (s[idx] is '{' or '[')
                    {
                        if (_open.Count >= MaxDepth)
                            return ("Maximum nesting depth exceeded", idx);
                        var close = s[idx] == '{' ? '}' : ']';
                        _open.Push(s[idx]);
                        expect = s[idx] == '{' ? Expect.Key : Expect.Value;
                        idx = Whitespace(idx + 1);
                        if (idx < s.Length && s[idx] == close)
                        {
                            _open.Pop();
                            idx++;
                            expect = Expect.AfterValue;
                        }
                    }
                    else
                    {
                        if ((Literal(idx, "null") ?? Literal(idx, "true") ?? Literal(idx, "false") ?? Number(idx)) is not { } next)
                            return ("Expecting value", idx);
                        idx = next;
                        expect = Expect.AfterValue;
                    }

                    break;

                case Expect.Key:
                    if (idx >= s.Length || s[idx] != '"')
                        return ("Expecting property name enclosed in double quotes", idx);
                    if (String(idx) is not { } keyEnd)
                        return _error;
                    idx = Whitespace(keyEnd);
                    if (idx >= s.Length || s[idx] != ':')
                        return ("Expecting ':' delimiter", idx);
                    idx = Whitespace(idx + 1);
                    expect = Expect.Value;
                    break;

                case Expect.AfterValue:
                    idx = Whitespace(idx);
                    if (_open.Count == 0)
                        return idx == s.Length ? null : ("Extra data", idx);

                    var inObject = _open.Peek() == '{';
                    if (idx < s.Length && s[idx] == (inObject ? '}' : ']'))
                    {
                        _open.Pop();
                        idx++;
                        break;
                    }

                    if (idx >= s.Length || s[idx] != ',')
                        return ("Expecting ',' delimiter", idx);
                    idx = Whitespace(idx + 1);
                    expect = inObject ? Expect.Key : Expect.Value;
                    break;
            }
        }
    }

    int Whitespace(int idx)
    {
        while (idx < s.Length && s[idx] is ' ' or '\t' or '\n' or '\r')
            idx++;
        return idx;
    }

    int? Literal(int idx, string word)
    {
        if (idx + word.Length > s.Length)
            return null;
        for (var i = 0; i < word.Length; i++)
        {
            if (s[idx + i] != word[i])
                return null;
        }

        return idx + word.Length;
    }

    bool IsDigit(int idx) => idx < s.Length && s[idx] is >= '0' and <= '9';

    /// <summary>Python's number grammar; a dangling fraction or exponent is left for the caller to trip on.</summary>
    int? Number(int start)
    {
        var idx = start;
        if (idx < s.Length && s[idx] == '-')
            idx++;
        if (idx < s.Length && s[idx] == '0')
        {
            idx++;
        }
        else if (IsDigit(idx))
        {
            while (IsDigit(idx))
                idx++;
        }
        else
        {
            return null;
        }

        if (idx < s.Length && s[idx] == '.' && IsDigit(idx + 1))
        {
            idx += 2;
            while (IsDigit(idx))
                idx++;
        }

        if (idx < s.Length && s[idx] is 'e' or 'E')
        {
            var exponent = idx + 1;
            if (exponent < s.Length && s[exponent] is '-' or '+')
                exponent++;
            if (IsDigit(exponent))
            {
                while (IsDigit(exponent))
                    exponent++;
                idx = exponent;
            }
        }

        return idx;
    }

    /// <summary>The index after the closing quote of the string opening at <paramref name="begin"/>.</summary>
    int? String(int begin)
    {
        var next = begin + 1;
        while (true)
        {
            while (next < s.Length && s[next] != '"' && s[next] != '\\')
            {
                if (s[next] <= 0x1F)
                    return Fail("Invalid control character at", next);
                next++;
            }

            if (next >= s.Length)
                return Fail("Unterminated string starting at", begin);
            if (s[next] == '"')
                return next + 1;

            next++; // past the backslash
            if (next == s.Length)
                return Fail("Unterminated string starting at", begin);
            if (s[next] != 'u')
            {
                if (s[next] is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't'))
                    return Fail("Invalid \\escape", next - 1);
                next++;
                continue;
            }

            next++; // past the u
            var end = next + 4;
            if (end >= s.Length)
                return Fail("Invalid \\uXXXX escape", next - 1);
            for (; next < end; next++)
            {
                if (s[next] > 0x7F || !char.IsAsciiHexDigit((char)s[next]))
                    return Fail("Invalid \\uXXXX escape", end - 5);
            }
        }
    }

    int? Fail(string message, int position)
    {
        _error = (message, position);
        return null;
    }
}
