using System.Net;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// A report's Markdown as a standalone HTML page. The report quotes the marketplace and perhaps a chat model, so the
/// page is built as if the Markdown were hostile: raw HTML is shown as text, never run; a link survives only to
/// <c>http</c>, <c>https</c> or <c>mailto</c> (any other, and every image, is shown as its text); and the page is
/// served with a policy that would stop a script or a request even if one got through (<see cref="WithSecurityHeaders"/>).
/// </summary>
public static class ReportPage
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    static readonly string[] LinkSchemes = [Uri.UriSchemeHttp, Uri.UriSchemeHttps, Uri.UriSchemeMailto];

    /// <summary>Sent with the page: nothing may load or run (inline styles aside), nor may another site frame it.</summary>
    public static readonly IReadOnlyDictionary<string, string> SecurityHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ["X-Content-Type-Options"] = "nosniff",
        ["Referrer-Policy"] = "no-referrer",
    };

    public static string Render(string theme, string markdown) =>
        $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Research report: {{WebUtility.HtmlEncode(theme)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5 }
        table { border-collapse: collapse } td, th { border: 1px solid #ccc; padding: .25rem .5rem }
        </style>
        </head>
        <body>
        {{ToHtml(markdown)}}
        </body>
        </html>
        """;

    /// <summary>The endpoint filter of <c>GET /tasks/{id}/report.html</c>: sets <see cref="SecurityHeaders"/>.</summary>
    public static ValueTask<object?> WithSecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var (name, value) in SecurityHeaders)
            context.HttpContext.Response.Headers[name] = value;
        return next(context);
    }

    static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (link.IsImage || !Allowed(link.Url))
                Unlink(link);
            else
                link.GetAttributes().AddPropertyIfNotExist("rel", "nofollow noopener noreferrer");
        }

        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!Allowed(autolink.IsEmail ? $"mailto:{autolink.Url}" : autolink.Url))
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
            else
                autolink.GetAttributes().AddPropertyIfNotExist("rel", "nofollow noopener noreferrer");
        }

        using var html = new StringWriter();
        var renderer = new HtmlRenderer(html);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        return html.ToString();
    }

    static bool Allowed(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && LinkSchemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);

    /// <summary>Puts the link's text where the link was: the words stay, the target goes.</summary>
    static void Unlink(LinkInline link)
    {
        foreach (var child in link.ToList())
        {
            child.Remove();
            link.InsertBefore(child);
        }

        link.Remove();
    }
}
