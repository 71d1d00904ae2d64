using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Api.Security;

/// <summary>
/// Every HTML answer carries a content security policy that forbids framing by another site (clickjacking): the
/// pages set their own, stricter one; any other HTML answer (an error page, a file added to <c>wwwroot</c> later)
/// gets <see cref="Fallback"/>. The API viewer's page gets one built from what it holds (<see cref="UseViewerPolicy"/>).
/// </summary>
public static partial class HtmlSecurityHeaders
{
    /// <summary>For an HTML answer that set no policy of its own: no framing, no plugins, no base or form elsewhere.</summary>
    public const string Fallback = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UseHtmlSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            if (IsHtml(context.Response) && !headers.ContainsKey("Content-Security-Policy"))
            {
                headers.ContentSecurityPolicy = Fallback;
                headers.XContentTypeOptions = "nosniff";
            }

            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>
    /// The viewer at <paramref name="path"/> (Scalar) writes its configuration as an inline module script: the page is
    /// read before it is sent, and the policy allows exactly its inline scripts (by their SHA-256), the rest from this
    /// origin only.
    /// </summary>
    public static IApplicationBuilder UseViewerPolicy(this IApplicationBuilder app, string path) =>
        app.UseWhen(context => IsPage(context.Request, path), viewer => viewer.Use(async (context, next) =>
        {
            var body = context.Response.Body;
            using var page = new MemoryStream();
            context.Response.Body = page;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = body;
            }

            if (IsHtml(context.Response))
            {
                context.Response.Headers.ContentSecurityPolicy = ViewerPolicy(Encoding.UTF8.GetString(page.GetBuffer(), 0, (int)page.Length));
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
            }

            context.Response.ContentLength = page.Length;
            page.Position = 0;
            await page.CopyToAsync(body, context.RequestAborted);
        }));

    static string ViewerPolicy(string html)
    {
        var hashes = InlineScript().Matches(html)
            .Select(script => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script.Groups["code"].Value)))}'");
        return $"default-src 'self'; script-src 'self' {string.Join(' ', hashes.Distinct())}; style-src 'self' 'unsafe-inline'; " +
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; " +
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    }

    /// <summary>The page at <paramref name="path"/>, with or without a trailing slash (the viewer redirects to the latter).</summary>
    static bool IsPage(HttpRequest request, string path) =>
        request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase, out var rest) && (!rest.HasValue || rest.Value == "/");

    static bool IsHtml(HttpResponse response) => response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>A script element without <c>src</c>, and its code exactly as sent (what the browser hashes).</summary>
    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>(?<code>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
