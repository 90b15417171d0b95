# The frame shared by every page.
lang-name = English
site-name = Vigie
nav-language = Language
nav-report = Report an abuse
nav-follow = Follow my report
nav-about = About
nav-stats = Statistics
nav-staff = Staff area

error-403-title = Request refused
error-403-text = This request did not come from a Vigie page, so it was not taken into account. Open Vigie directly and start again.
error-404-title = Page not found
error-404-text = This page does not exist, or you may not see it.
error-400-title = Bad request
error-400-text = The request could not be understood. Go back and try again.
error-413-title = File too large
error-413-text = What you sent is larger than allowed (a file too large, or a text too long). Go back with your browser's Back button: most often, what you wrote is still there.
error-429-title = Too many tries
error-429-text = Too many tries in a short time. Wait a little, then try again. Go back with your browser's Back button: most often, what you wrote is still there.
error-500-title = Something went wrong
error-500-text = The server could not answer. Nothing you sent was half-saved. Try again in a moment.
error-503-title = The server is busy
error-503-text = Nothing was saved. Go back to the previous page with your browser's Back button: what you wrote is still there. Send it again in a moment.
error-home = Back to the home page

about-title = About Vigie
about-what = Vigie collects reports of abuses by Mali's Defence and Security Forces, sends them to the competent institution (National Human Rights Commission, Ombudsman of the Republic) and follows each case until it is closed.
about-safety-title = Your safety
about-safety-anonymous = You can report without giving your name. Your name and contact, if you give them, are seen only by the institution handling the case.
about-safety-nolog = Vigie records neither your IP address, nor your device, nor the time of your visit. No page loads anything from another site.
about-safety-receipt = The follow-up code is shown only once. Vigie keeps only an encrypted fingerprint of it: nobody can look it up for you.
about-data-title = Geographic data
about-data-boundaries = Administrative boundaries: Who's On First (whosonfirst.org), based on UN OCHA Mali administrative boundaries (HDX),
about-data-places = Place names:
about-licence = licence
